Array.prototype.push = function () {
  throw new Error('no push');
};
export function transformEvent(event) {
  return event;
}
