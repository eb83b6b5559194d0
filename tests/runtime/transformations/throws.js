export function transformEvent(event) {
  if (event.event === "boom") {
    throw new Error("kaboom for " + event.messageId);
  }
  if (event.event === "helper") return helper(event);
  return event;
}
function helper(event) {
  throw new RangeError("deep in helper for " + event.messageId);
}
