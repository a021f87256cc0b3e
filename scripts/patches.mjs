// Source patches the screen's bundle applies to its dependencies (scripts/build.mjs). Each one
// checks that the text it replaces is there exactly, so an upgraded dependency fails the build
// instead of being patched wrongly; test/unit/build-patches.test.ts checks each patch against the
// code it replaces.

/**
 * @alcalzone/ansi-tokenize's styledCharsToString (Ink writes every line of every frame through
 * it) works out the escape codes between each pair of neighbouring characters with
 * diffAnsiCodes: three Sets and three arrays per character, ~10 ms of the first frame's CPU. Two
 * neighbours with the same codes (nearly all of them: a run of text in one style) need none, which
 * is what diffAnsiCodes returns for them: it reads only `code` and `endCode`. The patch answers
 * that case without it.
 */
export function patchStyledChars(text) {
  const loop = `        else {
            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));
        }`;
  if (!text.includes(loop) || !text.includes('export function styledCharsToString(chars) {'))
    throw new Error('@alcalzone/ansi-tokenize/build/styledChars.js changed: styledCharsToString was not found as expected');
  return (
    text.replace(
      loop,
      `        else if (!sameCodes(chars[i - 1].styles, char.styles)) {
            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));
        }`,
    ) +
    `
// cockpit (scripts/patches.mjs): the same codes in the same order need no escape between them
function sameCodes(a, b) {
    if (a === b)
        return true;
    if (a.length !== b.length)
        return false;
    for (let j = 0; j < a.length; j++) {
        if (a[j].code !== b[j].code || a[j].endCode !== b[j].endCode)
            return false;
    }
    return true;
}
`
  );
}
