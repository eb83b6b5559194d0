globalThis.Promise = function () {};
export function transformEvent(event) {
  return event;
}
