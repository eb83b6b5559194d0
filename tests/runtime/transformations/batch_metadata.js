export function transformBatch(events) {
  const kept = events.filter((event) => event.event !== "drop");
  const created = { type: "track", event: "Created In Batch" };
  return [...kept.map((event) => ({ ...event, seen: true })), created];
}
