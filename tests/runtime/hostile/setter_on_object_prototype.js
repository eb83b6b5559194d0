Object.defineProperty(Object.prototype, 'sourceId', {
  set(value) {},
  get() {
    return 'forged';
  },
  configurable: true,
});
export function transformBatch(events, metadata) {
  return events.map((event) => {
    event.seen = metadata(event);
    return event;
  });
}
