import { chmodSync, createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Files crmbridge writes about a project (state, reports, analyses, reject exports) hold rejected
 * records, often personal data: they are readable by their owner only. Folders are created 0700
 * and files 0600; an existing file or folder is tightened to those modes when written again.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates (or tightens) a private folder. */
export function privateFolder(folder: string): string {
  mkdirSync(folder, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(folder, PRIVATE_DIR_MODE);
  return folder;
}

/** Writes a private file, creating its folder if needed (private only if crmbridge creates it). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeFile(path, text, { mode: PRIVATE_FILE_MODE });
  await chmod(path, PRIVATE_FILE_MODE);
}

/** A write stream to a private file (replacing any earlier content). */
export function privateWriteStream(path: string): WriteStream {
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
  return createWriteStream(path, { mode: PRIVATE_FILE_MODE });
}
