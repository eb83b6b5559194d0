Object.defineProperty(Object.prototype, 'transformedEvent', {
  set(value) {},
  get() {
    return { forged: 1 };
  },
  configurable: true,
});
export function transformEvent(event) {
  return event;
}
