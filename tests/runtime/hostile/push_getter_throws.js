Object.defineProperty(Array.prototype, 'push', {
  get() {
    throw new Error('push getter');
  },
});
export function transformEvent(event) {
  return event;
}
