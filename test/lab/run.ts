import { FILES_URL, PORTAL_URL, startLab } from './lab';
import { labUnavailable } from './netns';

/**
 * `npm run lab`: brings the real-router lab up and leaves it running until Ctrl-C, then tears it all down.
 */
async function main(): Promise<void> {
  const why = await labUnavailable();
  if (why) {
    process.stderr.write(`The lab cannot run here: ${why}\n`);
    process.exit(1);
  }
  const lab = await startLab({ phones: 2, log: (l) => process.stdout.write(`${l}\n`) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the lab...\n');
    await lab.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  const [p1, p2] = lab.phones;
  const chromium = lab.chromiumIn(p1!.ns);
  process.stdout.write(`
The lab is up: Limpah at ${PORTAL_URL} (namespace ${lab.topology.core}), CoovaChilli in ${lab.topology.gw},
phones ${p1!.ns} (${p1!.ip}, ${p1!.mac}) and ${p2!.ns} (${p2!.ip}, ${p2!.mac}).
Files and logs: ${lab.dir}

Try it as a phone would (any http:// address is sent to the portal until login):
  ip netns exec ${p1!.ns} curl -si ${FILES_URL}/
  ${chromium} --headless --no-sandbox --disable-gpu --screenshot=/tmp/splash.png --window-size=360,740 ${FILES_URL}/
Sessions on the router:  ${lab.chilli.query} -s ${lab.dir}/chilli.sock list
Limpah's log:            tail -f ${lab.dir}/limpah.log
The console:             ip netns exec ${lab.topology.core} curl -s ${PORTAL_URL}/readyz
Ctrl-C stops everything.
`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
