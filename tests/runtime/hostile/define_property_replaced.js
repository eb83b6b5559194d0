Object.defineProperty = () => {};
export function transformEvent(event) {
  return event;
}
