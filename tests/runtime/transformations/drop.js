export function transformEvent(event) {
  if (event.event === "drop-null") return null;
  if (event.event === "drop-undefined") return undefined;
  return event;
}
