/** Rankers and scorers (binpack, least loaded, anti-affinity, affinity, spread) and the candidate queue that orders nodes by score. */
package gantry.scheduler.rank;
