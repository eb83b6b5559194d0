export function transformEvent(event) {
  if (event.event === "boom") throw "a string";
  return event;
}
