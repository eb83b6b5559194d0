export function transformEvent(event) {
  return event;
}
export function transformBatch(events) {
  return events;
}
