/**
 * What in a shell block cannot run safely as a release step, decided once for the importer and
 * validate: template placeholders (`<commit-hash>`, `{{VERSION}}`, `vX.Y.Z`, `YOUR_PROJECT_ID`),
 * commands that never end or wait for a person, lines meant for another host after `ssh host`,
 * and content that is not shell at all (SQL, YAML, a console transcript).
 */

export type Placeholder = {
  /** As written: `<commit-hash>`, `{{ VERSION }}`, `vX.Y.Z`, `YOUR_POLICY_ID`. */
  readonly text: string;
  /** The input's name: commit_hash, version, policy_id. */
  readonly name: string;
  readonly index: number;
};

const PLACEHOLDER_RES: readonly RegExp[] = [
  // {{ BACKUP_COMMAND }}, {{version}} (not Go templates: {{.Status}}, {{ .Values.x }})
  /\{\{\s*([A-Za-z][\w-]*)\s*\}\}/g,
  // <commit-hash>, <your project id>, <VERSION> (not heredocs << and not redirections: < file)
  /(?<![<\w])<([A-Za-z][\w.-]*(?: [A-Za-z][\w.-]*){0,3})>(?!>)/g,
  // vX.Y.Z, X.Y.Z, x.y.z
  /(?<![\w.])(v?(?:\d+\.)?[Xx]\.[Yy](?:\.[Zz])?)(?![\w.])/g,
  // YOUR_POLICY_ID, your-project-id, REPLACE_ME, CHANGEME
  /(?<![\w$-])((?:YOUR|your)[-_][A-Za-z0-9_-]*[A-Za-z0-9]|REPLACE[-_]?ME|CHANGE[-_]?ME)(?![\w-])/g,
];

/** The input name a placeholder stands for: `<commit-hash>` → commit_hash; `vX.Y.Z` → version. */
export function inputName(inner: string): string {
  if (/^v?(?:\d+\.)?x\.y(?:\.z)?$/i.test(inner)) return 'version';
  const words = inner
    .replace(/^(?:your|YOUR)[-_]/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const name = /^[a-z]/.test(words) ? words : `value_${words}`;
  return name.slice(0, 40) || 'value';
}

/** The template placeholders in a command, in order, each once per position. */
export function placeholdersIn(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const re of PLACEHOLDER_RES) {
    for (const m of text.matchAll(re)) {
      const inner = m[1];
      const index = m.index ?? 0;
      if (out.some((p) => index < p.index + p.text.length && p.index < index + m[0].length)) continue;
      out.push({ text: m[0], name: inputName(inner), index });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** A command with each placeholder replaced by `{input.NAME}` (expanded into argv or an environment variable at run time, never parsed by a shell). */
export function withInputs(text: string, found: readonly Placeholder[]): string {
  let out = '';
  let at = 0;
  for (const p of found) {
    out += `${text.slice(at, p.index)}{input.${p.name}}`;
    at = p.index + p.text.length;
  }
  return out + text.slice(at);
}

export type HazardKind = 'never-ends' | 'interactive' | 'remote' | 'placeholder-command' | 'destructive-sql' | 'carried';
export type Hazard = { readonly kind: HazardKind; readonly why: string };

const NEVER_ENDS: readonly [RegExp, string][] = [
  [/\b(?:kubectl|oc)\b[^|;&]*\s(?:-w|--watch(?:-only)?)\b/, 'a watch (-w) never ends'],
  [/\b(?:kubectl|oc|docker|docker-compose|podman|heroku|fly|flyctl|stern)\b[^|;&]*\blogs?\b[^|;&]*\s(?:-f|--follow|--tail=-1\s+-f)\b/, 'following logs (-f) never ends'],
  [/\btail\s+(?:-[a-zA-Z]*[fF]|--follow)\b/, 'tail -f never ends'],
  [/\bjournalctl\b[^|;&]*\s(?:-f|--follow)\b/, 'journalctl -f never ends'],
  [/(?:^|[;&|]\s*)watch\s/, '`watch` repeats until someone stops it'],
  [/(?:^|[;&|]\s*)(?:top|htop|k9s|btop|glances)(?:\s|$)/, 'a full-screen monitor never ends'],
  [/\bkubectl\b[^|;&]*\bport-forward\b/, 'a port-forward runs until someone stops it'],
  [/\bstern\s/, 'stern follows logs until someone stops it'],
  [/\bgh\s+run\s+watch\b|\bkubectl\s+argo\s+rollouts\s+get\b[^|;&]*--watch/, 'a watch never ends'],
  [/(?:^|[;&|]\s*)ping\s(?![^|;&]*\s-c\s?\d)/, 'ping without -c never ends'],
  [/\bsleep\s+infinity\b/, 'sleep infinity never ends'],
  [/\bwhile\s+(?:true|:)\s*;?\s*do\b/, 'an endless loop (while true)'],
  [/\bkubectl\b[^|;&]*\brollout\s+status\b[^|;&]*--watch=true/, 'a watch never ends'],
  [/\bpython3?\s+(?:app|server|main|run|wsgi)\.py\b|\bmanage\.py\s+runserver\b|\bflask\s+run\b|(?:^|\s)(?:uvicorn|gunicorn)\s/, 'a server runs until someone stops it'],
  [/\bnpm\s+(?:run\s+)?(?:start|dev|serve)\b|\b(?:rails|bundle exec rails)\s+s(?:erver)?\b|\bpython3?\s+-m\s+http\.server\b/, 'a server runs until someone stops it'],
];

const INTERACTIVE: readonly [RegExp, string][] = [
  [/\b(?:kubectl|oc)\s+edit\b/, 'kubectl edit opens an editor'],
  [/\b(?:kubectl|oc|docker|podman)\s+(?:exec|run|attach)\b[^|;&]*\s-(?:it|ti|i\s+-t|t\s+-i)\b/, 'an interactive terminal (-it)'],
  [/\bheroku\s+run\s+(?:bash|sh|console|rails\s+c(?:onsole)?)\b/, 'an interactive console'],
  [/\bheroku\s+pg:psql\b/, 'an interactive database shell'],
  [/--ask-(?:vault-)?pass\b|--ask-become-pass\b|(?:^|\s)-K(?:\s|$)/, 'asks for a password'],
  [/(?:^|[;&|]\s*)(?:vi|vim|nvim|nano|emacs|less|more)(?:\s|$)|\$\{?(?:EDITOR|VISUAL)\b|\bcrontab\s+-e\b/, 'opens an editor or pager'],
  [/\bgh\s+\w+\s+(?:create|view)\b[^|;&]*\s--web\b|\bgh\s+pr\s+create\b(?![^|;&]*\s(?:--fill|--title|-t)\b)/, 'opens a browser or asks for the text'],
  [/\bgh\s+secret\s+set\b(?![^|;&]*\s(?:-b|--body|-f|--env-file)\b)/, 'asks for the secret\'s value'],
  [/\bgit\s+add\s+(?:\.|-A|--all)(?:\s|$)/, 'stages every local change: a developer\'s workflow, not a release step'],
  [/\bgit\s+(?:rebase\s+-i|add\s+-p|commit(?![^|;&]*\s(?:-m|-F|--message|--file|--no-edit|-C)\b))/, 'git waits for an editor'],
  [/(?:^|[;&|]\s*)(?:psql|mysql|mongo|mongosh|redis-cli|sqlite3)(?:\s(?![^|;&]*\s(?:-c|-e|-f|--command|--execute|--eval|--file)\b)[^|;&]*)?$/, 'an interactive database shell (no -c/-e/-f)'],
  [/(?:^|[;&|]\s*)(?:rails\s+c(?:onsole)?|bundle exec rails c(?:onsole)?|python3?|node|irb|bash|sh|zsh)\s*$/, 'an interactive shell or console'],
  [/(?:^|[;&|]\s*)read\s+(?:-[a-z]+\s+)*[A-Za-z_]/, '`read` waits for someone to type'],
  [/\b(?:npm\s+login|aws\s+configure(?:\s+sso)?|gcloud\s+auth\s+login|az\s+login|docker\s+login(?![^|;&]*--password-stdin)|gh\s+auth\s+login)\b/, 'a login that asks for credentials'],
  [/(?:^|[;&|]\s*)(?:sudo\s+-i|sudo\s+su|su\s+-)(?:\s|$)/, 'opens a root shell'],
  [/(?:^|[;&|]\s*)select\s+\w+\s+in\b/, '`select` waits for someone to choose'],
];

/** `ssh host` alone (a login shell): the lines after it were meant for that host. */
export function sshLogin(text: string): string | undefined {
  const m = /^\s*(?:sudo\s+)?(ssh|gcloud\s+compute\s+ssh|aws\s+ssm\s+start-session|kubectl\s+exec\s+-it|mosh)\s+((?:-\S+\s+(?:\S+\s+)?)*)([^\s'"-][^\s]*)\s*$/.exec(text);
  if (!m) return undefined;
  return m[3];
}

const SQL_DESTRUCTIVE = /^\s*(?:drop|truncate|delete\s+from|alter\s+table|update\s+\w+\s+set|insert\s+into|create\s+(?:table|index|database)|grant|revoke)\b/i;

/** Why one command of a block cannot be a step (undefined when it can). */
export function commandHazard(text: string): Hazard | undefined {
  const first = text.split('\n')[0];
  const logical = text.replace(/\\\n\s*/g, ' ');
  if (sshLogin(first)) return { kind: 'remote', why: `\`${first.trim()}\` opens a shell on another host: the lines after it were written for that host` };
  if (/^\s*(?:\{\{|<[A-Za-z])/.test(first) || /^\s*(?:YOUR|your)[-_]/.test(first)) return { kind: 'placeholder-command', why: 'the command itself is a placeholder: write the command' };
  if (/^\s*(?:cd\s+\/?d?\s*)?[A-Za-z]:\\|\b(?:cmd(?:\.exe)?\s+\/c|powershell(?:\.exe)?|pwsh)\b|^\s*(?:Get|Set|New|Remove|Invoke)-[A-Z]\w+/.test(first)) return { kind: 'interactive', why: 'a Windows command (a drive path or PowerShell): not for this shell' };
  if (SQL_DESTRUCTIVE.test(first)) return { kind: 'destructive-sql', why: 'SQL, not shell: run it in the database by hand' };
  for (const [re, why] of NEVER_ENDS) if (re.test(logical)) return { kind: 'never-ends', why };
  for (const [re, why] of INTERACTIVE) if (re.test(logical)) return { kind: 'interactive', why };
  return undefined;
}

export type NotShell = { readonly what: 'SQL' | 'YAML' | 'JSON' | 'a console transcript' | 'a config file' };

const SQL_LINE = /^\s*(?:select|insert|update|delete|drop|create|alter|truncate|grant|revoke|begin|commit|rollback|with|show|use|explain|vacuum|analyze|set\s+\w+\s*=)\b.*(?:;|\bfrom\b|\binto\b|\btable\b|\bwhere\b)/i;
const YAML_LINE = /^\s*(?:-\s+)?[A-Za-z_][\w.-]*:(?:\s|$)/;
const PROMPT_LINE = /^\s*(?:[\w.-]+@[\w.-]+[:~][^$#]*[$#]|[a-z]+=?[#>]|mysql>|postgres=[#>]|irb\(main\)[^>]*>|>>>|\(gdb\)|\$|#)\s+\S/;

/** Whether a block's content is something other than shell, whatever its fence says. */
export function notShell(code: string): NotShell | undefined {
  const lines = code.split('\n').filter((l) => l.trim() !== '' && !/^\s*(?:#(?!\s*\S+\s*[$#>])|--|\/\/)/.test(l));
  if (lines.length === 0) return undefined;
  const share = (re: RegExp) => lines.filter((l) => re.test(l)).length / lines.length;
  if (share(SQL_LINE) >= 0.5) return { what: 'SQL' };
  if (/^\s*apiVersion:/m.test(code) && /^\s*kind:/m.test(code) && share(YAML_LINE) >= 0.5) return { what: 'YAML' };
  if (share(YAML_LINE) >= 0.8 && lines.length >= 2) return { what: 'YAML' };
  if (/^\s*[[{]/.test(lines[0]) && /[\]}]\s*$/.test(lines[lines.length - 1]) && lines.some((l) => /"\s*:/.test(l))) return { what: 'JSON' };
  // a transcript: prompts with output lines between them
  const prompts = lines.filter((l) => /^\s*(?:[\w.-]+@[\w.-]+[:~][^$#]*[$#]\s|mysql>|postgres=[#>]|>>>\s)/.test(l)).length;
  if (prompts > 0 && prompts < lines.length && share(PROMPT_LINE) < 1) return { what: 'a console transcript' };
  return undefined;
}

const ALTERNATIVE_COMMENT = /^\s*#\s*(?:(?:option|opci[oó]n|m[ée]thode?|method|alternative|variante|möglichkeit)\s*[0-9A-Da-d]\b|or\b|oder\b|ou\b|o bien\b|alternatively\b|alternativamente\b|alternativ\b)/i;
const EXAMPLE_COMMENT = /^\s*#.*\b(?:e\.g\.|for example|example|exemple|ejemplo|beispiel|exemplo)\b|^\s*#.*例/i;

/** Why a block is not a sequence to run: it shows examples, or alternatives ("# Option 1 … # Option 2", "# Or"). */
export function blockIsNotASequence(code: string): string | undefined {
  const lines = code.split('\n');
  if (lines.filter((l) => ALTERNATIVE_COMMENT.test(l)).length >= 1 && lines.some((l) => /^\s*#\s*(?:(?:option|opci[oó]n|m[ée]thode?|method|alternative|variante)\s*[0-9A-Da-d]\b|or\b|oder\b|ou\b|o bien\b|alternatively\b)/i.test(l))) return 'its comments offer alternatives (Option 1 / Option 2, "or"): choose one and run it by hand';
  if (lines.some((l) => EXAMPLE_COMMENT.test(l))) return 'its comments say it is an example';
  return undefined;
}

/** Commands whose effect on the shell carries to the next line: a block that has one runs as one script. */
const STATEFUL = /^(?:[A-Za-z_][A-Za-z0-9_]*=|export\s|cd\s|cd$|pushd\s|popd\b|source\s|\.\s+\S|alias\s|unset\s|set\s+[-+]|shopt\s|trap\s|umask\s|ulimit\s|eval\s|declare\s|local\s|readonly\s|typeset\s|function\s|[A-Za-z_][\w-]*\s*\(\)\s*\{?|[A-Za-z_][\w-]*\s*\(\)$)/;

/** Whether commands of a block share shell state (variables, cwd, functions): then they run as one script. */
export function sharesState(commands: readonly string[]): boolean {
  return commands.some((c) => STATEFUL.test(c.trim()) || /<<-?\s*['"]?\w/.test(c));
}

/** Shell variables a script assigns (`X=…`, `export X=…`, `read X`, `declare X=…`, `for X in`). */
export function assignedIn(script: string): string[] {
  const out = new Set<string>();
  for (const m of script.matchAll(/(?:^|[;&|(]\s*|\b(?:export|declare|local|readonly|typeset)\s+(?:-\w+\s+)*)([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=/gm)) out.add(m[1]);
  for (const m of script.matchAll(/\bread\s+(?:-\w+\s+)*([A-Za-z_][A-Za-z0-9_]*(?:\s+[A-Za-z_][A-Za-z0-9_]*)*)/g)) for (const v of m[1].split(/\s+/)) out.add(v);
  for (const m of script.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g)) out.add(m[1]);
  // MAJOR=0 MINOR=7 PATCH=0: several on one line
  for (const line of script.split('\n')) {
    const lead = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S*)\s*)+)/.exec(line)?.[1] ?? '';
    for (const m of lead.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)) out.add(m[1]);
  }
  return [...out];
}

/** Shell variables a script reads ($X, ${X…}), outside single quotes. */
export function usedIn(script: string): string[] {
  const out = new Set<string>();
  const unquoted = script.replace(/'[^']*'/g, "''");
  for (const m of unquoted.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]);
  return [...out];
}
