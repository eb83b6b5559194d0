delete Array.prototype.push;
export function transformEvent(event) {
  return event;
}
