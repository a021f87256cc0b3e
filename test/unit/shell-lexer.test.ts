/**
 * The one shell lexer (src/runbook/shell-lexer.ts): a runbook's bash block → its top-level
 * command lines, each with its line, column and `# comment` title; the words of a simple command;
 * the quote state at each character. Every command it finds must parse on its own (bash -n).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commentTitle, quoteContext, splitCommands, wordsOf } from '../../src/runbook/shell-lexer.js';
import { quoteArg } from '../../src/runbook/shell-quote.js';

const texts = (script: string) => splitCommands(script).commands.map((c) => c.text);
const parses = (text: string) => spawnSync('bash', ['-n', '-c', text]).status === 0;

/** [name, script, the commands' texts] */
const CASES: [string, string, string[]][] = [
  ['one command', 'echo hi', ['echo hi']],
  ['two lines', 'echo a\necho b', ['echo a', 'echo b']],
  ['blank lines and comments are not commands', '\n# setup\n\necho a\n   \n# done\n', ['echo a']],
  ['a trailing comment stays with its command', 'echo a # say a\necho b', ['echo a # say a', 'echo b']],
  ['; on one line is one command line', 'cd /srv; make', ['cd /srv; make']],
  ['kubectl with \\ continuations', 'kubectl set image deploy/web \\\n  web=registry/web:1.2 \\\n  --record\nkubectl rollout status deploy/web', ['kubectl set image deploy/web \\\n  web=registry/web:1.2 \\\n  --record', 'kubectl rollout status deploy/web']],
  ['a line ending in |', 'kubectl get pods |\n  grep web\necho done', ['kubectl get pods |\n  grep web', 'echo done']],
  ['a line ending in && and ||', 'make build &&\n  make test ||\n  echo failed\necho next', ['make build &&\n  make test ||\n  echo failed', 'echo next']],
  ['a comment line after a trailing |', 'ls |\n# keep the web ones\ngrep web', ['ls |\n# keep the web ones\ngrep web']],
  ['& at the end backgrounds: the line ends', 'sleep 1 &\nwait', ['sleep 1 &', 'wait']],
  ['an unclosed single quote spans lines', "echo 'a\nb'\necho c", ["echo 'a\nb'", 'echo c']],
  ['an unclosed double quote spans lines', 'echo "a\nb $(date)"\necho c', ['echo "a\nb $(date)"', 'echo c']],
  ["$'…' with an escaped quote", "echo $'it\\'s\nx'\necho c", ["echo $'it\\'s\nx'", 'echo c']],
  ['VAR=$(cmd) spanning lines', 'PREV=$(kubectl get deploy web \\\n  -o jsonpath={.spec.template.spec.containers[0].image})\n./rollback.sh "$PREV"', ['PREV=$(kubectl get deploy web \\\n  -o jsonpath={.spec.template.spec.containers[0].image})', './rollback.sh "$PREV"']],
  ['$( ) over several lines', 'OUT=$(\n  curl -s http://x |\n  jq .status\n)\necho "$OUT"', ['OUT=$(\n  curl -s http://x |\n  jq .status\n)', 'echo "$OUT"']],
  ['backquotes spanning lines', 'X=`date\n`\necho $X', ['X=`date\n`', 'echo $X']],
  ['heredoc kubectl apply -f - <<EOF', 'kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap # not a comment\nmetadata: { name: x }\nEOF\nkubectl get cm x', ['kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap # not a comment\nmetadata: { name: x }\nEOF', 'kubectl get cm x']],
  ["heredoc <<'EOF' with quotes in its body", "cat > notes.txt <<'EOF'\nit's $HOME \"x\n; if\nEOF\necho ok", ["cat > notes.txt <<'EOF'\nit's $HOME \"x\n; if\nEOF", 'echo ok']],
  ['heredoc <<"END"', 'cat <<"END"\nfi done\nEND\necho ok', ['cat <<"END"\nfi done\nEND', 'echo ok']],
  ['heredoc <<-EOF with a tab-indented terminator', 'if true; then\n\tcat <<-EOF\n\t\thello\n\tEOF\nfi\necho ok', ['if true; then\n\tcat <<-EOF\n\t\thello\n\tEOF\nfi', 'echo ok']],
  ['two heredocs on one line', 'paste <(cat) /dev/fd/3 <<A 3<<B\none\nA\ntwo\nB\necho ok', ['paste <(cat) /dev/fd/3 <<A 3<<B\none\nA\ntwo\nB', 'echo ok']],
  ['a heredoc piped on', 'cat <<EOF | kubectl apply -f -\nkind: Namespace\nEOF\necho ok', ['cat <<EOF | kubectl apply -f -\nkind: Namespace\nEOF', 'echo ok']],
  ['a here-string is no heredoc', 'grep x <<< "$A"\necho ok', ['grep x <<< "$A"', 'echo ok']],
  ['if ! curl …; then … fi', 'if ! curl -fsS http://127.0.0.1:8080/health; then\n  echo "unhealthy" >&2\n  exit 1\nfi\necho healthy', ['if ! curl -fsS http://127.0.0.1:8080/health; then\n  echo "unhealthy" >&2\n  exit 1\nfi', 'echo healthy']],
  ['if / elif / else', 'if [ "$A" = 1 ]; then\n  echo one\nelif [ "$A" = 2 ]\nthen\n  echo two\nelse\n  echo other\nfi', ['if [ "$A" = 1 ]; then\n  echo one\nelif [ "$A" = 2 ]\nthen\n  echo two\nelse\n  echo other\nfi']],
  ['for loop', 'for host in web-1 web-2; do\n  ssh "$host" uptime\ndone\necho all', ['for host in web-1 web-2; do\n  ssh "$host" uptime\ndone', 'echo all']],
  ['for loop with do on its own line', 'for i in 1 2 3\ndo\n  echo $i\ndone', ['for i in 1 2 3\ndo\n  echo $i\ndone']],
  ['while read loop fed by process substitution', 'while read -r pod; do\n  kubectl delete pod "$pod"\ndone < <(kubectl get pods -o name)\necho ok', ['while read -r pod; do\n  kubectl delete pod "$pod"\ndone < <(kubectl get pods -o name)', 'echo ok']],
  ['until loop with arithmetic', 'n=0\nuntil (( n >= 3 )); do\n  n=$((n + 1))\ndone', ['n=0', 'until (( n >= 3 )); do\n  n=$((n + 1))\ndone']],
  ['select … done', 'select env in staging production; do\n  break\ndone', ['select env in staging production; do\n  break\ndone']],
  ['case with ;;', 'case "$ENV" in\n  staging) URL=s.example ;;\n  production|prod)\n    URL=p.example\n    ;;\n  *) echo "unknown $ENV"; exit 2 ;;\nesac\necho "$URL"', ['case "$ENV" in\n  staging) URL=s.example ;;\n  production|prod)\n    URL=p.example\n    ;;\n  *) echo "unknown $ENV"; exit 2 ;;\nesac', 'echo "$URL"']],
  ['nested case, (pattern) and a last item without ;;', 'case $a in\n  (x)\n    case $b in\n      y) echo xy ;;\n    esac ;;\n  z) echo z\nesac\necho ok', ['case $a in\n  (x)\n    case $b in\n      y) echo xy ;;\n    esac ;;\n  z) echo z\nesac', 'echo ok']],
  ['nested if in a for', 'for f in *.yaml; do\n  if grep -q kind "$f"; then\n    kubectl apply -f "$f"\n  fi\ndone\necho ok', ['for f in *.yaml; do\n  if grep -q kind "$f"; then\n    kubectl apply -f "$f"\n  fi\ndone', 'echo ok']],
  ['a { … } group', '{\n  echo a\n  echo b\n} > out.txt\necho ok', ['{\n  echo a\n  echo b\n} > out.txt', 'echo ok']],
  ['a ( … ) subshell', '(\n  cd /tmp\n  ls\n)\npwd', ['(\n  cd /tmp\n  ls\n)', 'pwd']],
  ['function f() { … }', 'wait_ready() {\n  kubectl rollout status deploy/"$1" --timeout=120s\n}\nwait_ready web', ['wait_ready() {\n  kubectl rollout status deploy/"$1" --timeout=120s\n}', 'wait_ready web']],
  ['function f { … }', 'function log {\n  echo "[$(date +%T)] $*"\n}\nlog start', ['function log {\n  echo "[$(date +%T)] $*"\n}', 'log start']],
  ['a function whose { is on the next line', 'f()\n{\n  echo in f\n}\nf', ['f()\n{\n  echo in f\n}', 'f']],
  ['} and fi as arguments are no keywords', 'echo }\necho fi done esac\necho {a,b}', ['echo }', 'echo fi done esac', 'echo {a,b}']],
  ['# inside quotes and ${#x} is no comment', 'echo "# not" \'#\' ${#PATH} a#b\necho ok', ['echo "# not" \'#\' ${#PATH} a#b', 'echo ok']],
  ['${x:-…} with a } in quotes', 'echo "${X:-"}"}"\necho ok', ['echo "${X:-"}"}"', 'echo ok']],
  ['a shebang is skipped', '#!/usr/bin/env bash\nset -euo pipefail\necho ok', ['set -euo pipefail', 'echo ok']],
  ['CRLF line ends', 'echo a\r\necho b\r\n', ['echo a', 'echo b']],
  ['array assignment over lines', 'HOSTS=(\n  web-1\n  web-2\n)\necho "${HOSTS[@]}"', ['HOSTS=(\n  web-1\n  web-2\n)', 'echo "${HOSTS[@]}"']],
  ['&& at the end then a heredoc', 'true &&\n  cat <<EOF\nx\nEOF\necho ok', ['true &&\n  cat <<EOF\nx\nEOF', 'echo ok']],
];

describe('splitCommands: a script → its top-level commands', () => {
  for (const [name, script, expected] of CASES)
    it(name, () => {
      expect(texts(script)).toEqual(expected);
      for (const t of expected) expect(parses(t), t).toBe(true);
    });

  it('gives each command its 0-based first and last line and column', () => {
    const { commands } = splitCommands('# deploy\n  kubectl apply \\\n    -f x.yaml\n\necho done');
    expect(commands.map(({ line, endLine, col }) => ({ line, endLine, col }))).toEqual([
      { line: 1, endLine: 2, col: 2 },
      { line: 4, endLine: 4, col: 0 },
    ]);
  });

  it('titles a command with the comment line directly above it, numbering stripped', () => {
    const { commands } = splitCommands('# 1. Build the image\nmake image\n\n# Step 2: Deploy\nkubectl apply -f k8s/\n# not a title (a blank line follows)\n\necho a\necho b');
    expect(commands.map((c) => c.title)).toEqual(['Build the image', 'Deploy', undefined, undefined]);
  });

  it('the last of several comment lines is the title; a shebang never is', () => {
    const { commands } = splitCommands('#!/bin/bash\nset -e\n# Roll back\n# (previous image)\n./rollback.sh');
    expect(commands.map((c) => c.title)).toEqual([undefined, '(previous image)']);
  });

  it('an unclosed construct runs to the end of the script', () => {
    expect(texts('echo a\nif true; then\n  echo b')).toEqual(['echo a', 'if true; then\n  echo b']);
  });

  it('an empty script or only comments has no commands', () => {
    expect(texts('')).toEqual([]);
    expect(texts('# a\n\n  # b\n')).toEqual([]);
  });
});

describe('commentTitle', () => {
  const cases: [string, string | undefined][] = [
    ['# Build', 'Build'],
    ['## 2) Deploy', 'Deploy'],
    ['#   step 3 - verify', 'verify'],
    ['# 3 replicas', '3 replicas'],
    ['#', undefined],
  ];
  for (const [c, t] of cases) it(c, () => expect(commentTitle(c)).toBe(t));
});

describe('wordsOf: the words of a simple command', () => {
  it('gives each word, whether quoted, and where it is', () => {
    expect(wordsOf(`./deploy.sh 'a b' "{version}" x`)).toEqual([
      { text: './deploy.sh', quoted: false, start: 0, end: 11 },
      { text: 'a b', quoted: true, start: 12, end: 17 },
      { text: '{version}', quoted: true, start: 18, end: 29 },
      { text: 'x', quoted: false, start: 30, end: 31 },
    ]);
  });
  it('is undefined when the command needs a shell', () => {
    for (const c of ['a | b', 'echo $HOME', 'FOO=1 cmd', 'ls *.txt', 'echo "$(date)"', 'a # c', 'cd ~', "echo 'open"]) expect(wordsOf(c), c).toBeUndefined();
  });
  it('an empty command has no words', () => expect(wordsOf('  ')).toEqual([]));
});

describe('quoteContext', () => {
  it('says the quote each character is read in', () => {
    const s = `a "b" 'c' $(d "e")`;
    const q = quoteContext(s);
    expect(q[s.indexOf('b')]).toBe('"');
    expect(q[s.indexOf('c')]).toBe("'");
    expect(q[s.indexOf('a')]).toBeUndefined();
    expect(q[s.indexOf('d')]).toBeUndefined();
    expect(q[s.indexOf('e')]).toBe('"');
  });
  it('an escaped quote inside "…" stays inside', () => {
    const s = 'echo "a \\" {x}"';
    expect(quoteContext(s)[s.indexOf('{')]).toBe('"');
  });
  it("a heredoc's body reads as \"…\", or '…' when its delimiter is quoted", () => {
    const s = "cat <<A\n{x}\nA\ncat <<'B'\n{y}\nB\n{z}";
    const q = quoteContext(s);
    expect([q[s.indexOf('{x}')], q[s.indexOf('{y}')], q[s.indexOf('{z}')]]).toEqual(['"', "'", undefined]);
  });
  it('a comment is outside quotes', () => {
    const s = "# it's\necho {x}";
    expect(quoteContext(s)[s.indexOf('{')]).toBeUndefined();
  });
});

describe('quoteArg: the one shell-quoting helper', () => {
  const cases: [string, string][] = [
    ['./deploy.sh', './deploy.sh'],
    ['--feature=new-checkout', '--feature=new-checkout'],
    ['{version}', '{version}'],
    ['{git.sha}', '{git.sha}'],
    ['{a,b}', `'{a,b}'`],
    ['{a..c}', `'{a..c}'`],
    ['a b', `'a b'`],
    ["it's", `'it'\\''s'`],
    ['', `''`],
    ['$(rm -rf /)', `'$(rm -rf /)'`],
    ['~/x', `'~/x'`],
  ];
  for (const [w, q] of cases)
    it(JSON.stringify(w), () => {
      expect(quoteArg(w)).toBe(q);
      // the shell reads it back as the one word it was
      expect(spawnSync('bash', ['-c', `printf %s ${q}`]).stdout.toString()).toBe(w);
    });
});
