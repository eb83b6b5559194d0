export function transformEvent(event) {
  let missingKey;
  try {
    getCredential();
  } catch (error) {
    missingKey = error.name + ": " + error.message;
  }
  return { ...event, k: getCredential("k"), unknownIsUndefined: getCredential("nope") === undefined, missingKey };
}
