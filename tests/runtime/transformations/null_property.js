export function transformEvent(event) {
  const nothing = null;
  return { ...event, x: nothing.x };
}
