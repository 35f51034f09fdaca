// Registers every built-in env when imported: `import 'envs/index.ts'` then make('CartPole-v1').
// One line per env family; add yours below.
import { registerClassicEnvs } from './classic/index.ts';

registerClassicEnvs();
import './trading/index.ts'; // tg4/Trading-v0, tg4/Portfolio-v0 (registered on import)
import './planted/index.ts'; // tg4/PlantedRegime-v0, tg4/PlantedMeanRevert-v0, tg4/PlantedMomentum-v0 (planted-signal markets)
