export function transformEvent(event) {
  const out = { ...event };
  out.self = out;
  return out;
}
