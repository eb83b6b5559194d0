export function transformBatch(events, metadata) {
  if (events.length > 1) {
    throw new Error("batch kaboom");
  }
  return events;
}
