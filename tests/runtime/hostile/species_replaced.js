class Sneaky extends Promise {}
Promise.prototype.constructor = Sneaky;
export function transformEvent(event) {
  return event;
}
