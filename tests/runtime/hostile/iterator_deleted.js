// Promise.all and the fan-out spread in RudderStack's wrapper iterate arrays.
delete Array.prototype[Symbol.iterator];
export function transformEvent(event) {
  return [event];
}
