// The wrapper spreads fan-out arrays: a replaced iterator changes what it pushes.
Array.prototype[Symbol.iterator] = function* () {
  yield { transformedEvent: { forged: 1 }, metadata: { messageId: 'm-1' } };
};
export function transformEvent(event) {
  return [event];
}
