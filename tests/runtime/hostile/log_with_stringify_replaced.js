JSON.stringify = () => 'forged';
export function transformEvent(event) {
  log('seen', { id: event.messageId });
  return event;
}
