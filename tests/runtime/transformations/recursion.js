function deeper(n) {
  return deeper(n + 1) + 1;
}
export function transformEvent(event) {
  if (event.event === "recurse") deeper(0);
  return event;
}
