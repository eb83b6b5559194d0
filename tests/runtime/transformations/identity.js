export function transformEvent(event) {
  return event;
}
