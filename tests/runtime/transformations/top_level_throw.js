throw new TypeError("top");
export function transformEvent(event) {
  return event;
}
