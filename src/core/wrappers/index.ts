export { Wrapper, ObservationWrapper, RewardWrapper, ActionWrapper } from './wrapper.ts';
export { TimeLimit } from './time-limit.ts';
export { RecordEpisodeStatistics, type EpisodeStatistics } from './record-episode-statistics.ts';
export { NormalizeObservation } from './normalize-observation.ts';
export { NormalizeReward } from './normalize-reward.ts';
export { ClipAction } from './clip-action.ts';
export { FlattenObservation } from './flatten-observation.ts';
export { RunningMeanStd } from './running-mean-std.ts';
