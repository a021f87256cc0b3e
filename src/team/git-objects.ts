/**
 * The lease's commits read and written in the clone's object store by the cockpit itself, without
 * a git process each (12 cockpits starting together on 2 cores spend their time starting
 * processes): a loose commit object is `commit <size>\0<text>`, zlib-deflated, under
 * objects/xx/yyyy… named by its SHA-1. Only the plain case is handled: a `.git` directory (or a
 * bare repository at the working directory itself), SHA-1 objects, the commit loose. Anything else (a worktree's .git file, GIT_DIR set, a SHA-256
 * repository, a packed object) answers undefined and the caller asks git, as before.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateSync, deflateSync } from 'node:zlib';

/** The identity every lease commit carries (git.ts gives git the same). */
const IDENT = 'cockpit <cockpit@localhost>';
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
/** A SHA-1 object id. */
export const SHA1 = /^[0-9a-f]{40}$/;

const dirs = new Map<string, string | undefined>();

/** A bare SHA-1 repository at `dir` itself (a follower's scratch repository): its objects directory. */
function bareObjects(dir: string): string | undefined {
  try {
    const config = readFileSync(join(dir, 'config'), 'utf8');
    return /bare\s*=\s*true/i.test(config) && !/objectformat\s*=\s*sha256/i.test(config) && existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')) ? join(dir, 'objects') : undefined;
  } catch {
    return undefined;
  }
}

/** The object directory of the repository at `cwd` when it is the plain case (a `.git` directory, or a bare repository at `cwd`), else undefined. */
export function objectDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GIT_DIR || env.GIT_OBJECT_DIRECTORY || env.GIT_ALTERNATE_OBJECT_DIRECTORIES || env.GIT_COMMON_DIR) return undefined;
  if (dirs.has(cwd)) return dirs.get(cwd);
  let found = bareObjects(cwd);
  for (let d = cwd; !found; d = dirname(d)) {
    const dotGit = join(d, '.git');
    if (existsSync(dotGit)) {
      try {
        const isDir = statSync(dotGit).isDirectory();
        const config = isDir ? readFileSync(join(dotGit, 'config'), 'utf8') : '';
        if (isDir && !/objectformat\s*=\s*sha256/i.test(config) && existsSync(join(dotGit, 'objects'))) found = join(dotGit, 'objects');
      } catch {
        /* unreadable: git decides */
      }
      break;
    }
    if (dirname(d) === d) break;
  }
  dirs.set(cwd, found);
  return found;
}

const pathOf = (objects: string, sha: string) => join(objects, sha.slice(0, 2), sha.slice(2));

/** The message of loose commit `sha` (as `git log --format=%B` gives it, trimmed), or undefined. */
export function readLooseCommit(objects: string, sha: string): string | undefined {
  if (!SHA1.test(sha)) return undefined;
  let raw: Buffer;
  try {
    raw = inflateSync(readFileSync(pathOf(objects, sha)));
  } catch {
    return undefined; // not loose here (packed, or not fetched yet)
  }
  const nul = raw.indexOf(0);
  if (nul < 0 || !raw.subarray(0, nul).toString('latin1').startsWith('commit ')) return undefined;
  const text = raw.subarray(nul + 1).toString('utf8');
  const body = text.indexOf('\n\n');
  return body < 0 ? '' : text.slice(body + 2).trim();
}

/** The object's text as git hashes it. */
function commitText(message: string, parent: string | undefined, seconds: number): string {
  return `tree ${EMPTY_TREE}\n${parent ? `parent ${parent}\n` : ''}author ${IDENT} ${seconds} +0000\ncommitter ${IDENT} ${seconds} +0000\n\n${message}\n`;
}

/** Writes a commit of the empty tree with `message` (on `parent`) as a loose object; its id, or undefined when it could not. */
export function writeLooseCommit(objects: string, message: string, parent: string | undefined, nowMs = Date.now()): string | undefined {
  if (parent !== undefined && !SHA1.test(parent)) return undefined;
  // its tree too: git reads the empty tree without it (commit-tree and push do), but fsck in the
  // clone and on the remote then reported "missing tree 4b825dc…" for every lease commit
  if (writeLoose(objects, 'tree', Buffer.alloc(0)) !== EMPTY_TREE) return undefined;
  return writeLoose(objects, 'commit', Buffer.from(commitText(message, parent, Math.floor(nowMs / 1000)), 'utf8'));
}

/** Writes one loose object (`<type> <size>\0<body>`, deflated) unless it is there; its id, or undefined. */
function writeLoose(objects: string, type: 'commit' | 'tree', body: Buffer): string | undefined {
  const whole = Buffer.concat([Buffer.from(`${type} ${body.length}\0`, 'latin1'), body]);
  const sha = createHash('sha1').update(whole).digest('hex');
  const path = pathOf(objects, sha);
  if (existsSync(path)) return sha;
  const tmp = join(objects, sha.slice(0, 2), `tmp_obj_cockpit_${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, deflateSync(whole), { mode: 0o444, flag: 'wx' });
    renameSync(tmp, path);
    return sha;
  } catch {
    rmSync(tmp, { force: true });
    // another cockpit wrote the same object meanwhile: the same bytes under the same name
    return existsSync(path) ? sha : undefined;
  }
}

/** The id a loose ref file holds (a 40-hex line), or undefined: absent, symbolic or unreadable. */
export function readLooseRef(path: string): string | undefined {
  try {
    const line = readFileSync(path, 'utf8').trim();
    return /^[0-9a-f]{40}$/.test(line) ? line : undefined;
  } catch {
    return undefined;
  }
}
