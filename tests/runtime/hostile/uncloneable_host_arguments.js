export async function transformEvent(event) {
  const seen = [];
  for (const call of [() => log(() => 1), () => getCredential(Symbol('k')), () => fetch(() => 1)]) {
    try {
      const pending = call();
      seen.push(typeof pending);
      if (pending && pending.then) await pending;
    } catch (error) {
      seen.push(error.name + ': ' + error.message);
    }
  }
  event.seen = seen;
  return event;
}
