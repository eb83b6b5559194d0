const then = Promise.prototype.then;
Promise.prototype.then = function (onFulfilled, onRejected) {
  return then.call(this, () => onFulfilled([{ transformedEvent: { forged: 1 }, metadata: { messageId: 'm-1', destinationId: 'evil' } }]), onRejected);
};
export function transformEvent(event) {
  return event;
}
