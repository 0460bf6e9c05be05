import { spawn } from 'node:child_process';

/** Runs a command; rejects with the tail of its output when it exits non-zero. */
export function runCommand(
  command: string,
  args: string[],
  cwd: string,
  log: (line: string) => void,
): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', fail);
    child.once('close', (code) => {
      if (code === 0) return done(output);
      log(output.slice(-3000));
      fail(
        new Error(
          `\`${command} ${args.join(' ')}\` exited with ${code}; last output: ${output.slice(-400).replace(/\s+/g, ' ').trim()}`,
        ),
      );
    });
  });
}
