/** Every protocol module, by the name `--protocol` takes. */
import type { Protocol } from '../options.js';
import { announce } from './announce.js';
import type { ProtocolModule } from './protocol.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { pushPull } from './push-pull.js';
import { rumor } from './rumor.js';

const MODULES: Record<Protocol, ProtocolModule> = { announce, push, pull, 'push-pull': pushPull, rumor };

/** The module of `protocol`. */
export function protocolModule(protocol: Protocol): ProtocolModule {
  return MODULES[protocol];
}
