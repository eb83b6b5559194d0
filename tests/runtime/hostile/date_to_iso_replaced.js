Date.prototype.toISOString = () => 'forged';
export function transformEvent(event) {
  event.at = new Date(0);
  return event;
}
