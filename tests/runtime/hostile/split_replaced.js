String.prototype.split = () => ['forged'];
export function transformEvent(event) {
  throw new Error('kaboom');
}
