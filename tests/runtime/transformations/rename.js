export function transformEvent(event) {
  return { ...event, event: "Renamed", messageId: "changed-" + event.messageId };
}
