export function transformBatch(events) {
  return [events[0], "not an object"];
}
