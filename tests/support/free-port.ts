import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port {@link freePort} picks from. */
const LOWEST_PORT = 20_000;

/**
 * The first port of Linux's ephemeral range (`ip_local_port_range`): the kernel hands ports from there to `listen(0)`
 * and to every outgoing connection, so a port taken from it can be in use by the time its owner binds it.
 */
const ephemeralRangeStart = (): number => {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    return Number(start) || 32_768;
  } catch {
    return 32_768;
  }
};

/** Whether 127.0.0.1:`port` can be listened on now; resolves the port the listen got (the OS's pick for 0). */
const tryListen = (port: number) =>
  new Promise<number | null>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(null));
    probe.listen(port, '127.0.0.1', () => {
      const { port: bound } = probe.address() as { port: number };
      probe.close(() => resolve(bound));
    });
  });

/**
 * A TCP port free on 127.0.0.1 right now, picked at random below the ephemeral range. Test files run side by side
 * (scripts/test-lanes.mjs), and a port is often bound seconds after it is picked (the studio binds its port once
 * the data plane is up, about 20 s later): a port from the ephemeral range could meanwhile become the local end of
 * another process's outgoing connection, as a CI run saw. Falls back to the OS's pick.
 */
export const freePort = async (): Promise<number> => {
  const highest = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 50 && highest > LOWEST_PORT; attempt += 1) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (highest - LOWEST_PORT + 1));
    if ((await tryListen(port)) !== null) return port;
  }
  const picked = await tryListen(0);
  if (picked === null) throw new Error('no TCP port on 127.0.0.1 could be listened on');
  return picked;
};
