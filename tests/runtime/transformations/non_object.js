export function transformEvent(event) {
  if (event.event === "string") return "a string";
  if (event.event === "number") return 42;
  return event;
}
