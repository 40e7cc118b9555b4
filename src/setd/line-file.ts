import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/**
 * Appends whole lines (`text` ends with a newline) to a file of lines and syncs them; resolves
 * once they are on disk. A write that fails partway (a full disk) leaves part of a line with no
 * newline: that part is cut off again at once, and, should the cut fail too (or a crash come
 * first), before the next append, so that a new line never runs on from a torn one. Such a part
 * was never acknowledged. Appends to one file must not overlap (the caller orders them).
 */
export async function appendLines(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a+');
  try {
    const end = await wholeLinesEnd(handle);
    try {
      await handle.appendFile(text);
      await handle.sync();
    } catch (error) {
      await handle.truncate(end).catch(() => undefined);
      throw error;
    }
    // a new file's name survives a power cut only once its directory is synced
    if (end === 0) await syncDirectory(dirname(path));
  } finally {
    await handle.close();
  }
}

/** The length of the file up to its last newline, the file cut back to it when anything follows. */
async function wholeLinesEnd(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  let end = size;
  const chunk = Buffer.alloc(Math.min(TAIL_CHUNK, size));
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (newline >= 0) {
      end = start + newline + 1;
      break;
    }
    end = start;
  }
  if (end < size) await handle.truncate(end);
  return end;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
