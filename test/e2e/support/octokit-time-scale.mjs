/**
 * Test seam, loaded with `node --import <this file>?scale=N` in front of
 * the server (lib/server.js): every wait Octokit's throttling and retry plugins schedule
 * (the spacing between writes — 1 s, and 3 s between content-creating
 * writes — and the delay before a retry) is divided by N. Nothing else
 * changes: the same plugins, the same order, the same retries, the same
 * limits; only the clock they wait on runs N times faster.
 *
 * Both plugins wait through Bottleneck (the `light` build): spacing is the
 * `minTime` of the groups @octokit/plugin-throttling creates once per
 * process, and a retry's delay is the number a limiter's "failed" listener
 * returns. Bottleneck is CommonJS, so this module and the plugins share one
 * instance of it. Both of its builds are scaled: the plugins use the `light`
 * one, and Probot hands them the full one (`bottleneck`, which can keep its
 * state in Redis) when REDIS_URL is set.
 */
import BottleneckLight from "bottleneck/light.js";
import BottleneckFull from "bottleneck";

const scale = Number(new URL(import.meta.url).searchParams.get("scale") ?? "1");

for (const Bottleneck of Number.isFinite(scale) && scale > 1 ? [BottleneckLight, BottleneckFull] : []) {
  const Group = Bottleneck.Group;
  class ScaledGroup extends Group {
    constructor(options = {}) {
      super(typeof options.minTime === "number" ? { ...options, minTime: Math.ceil(options.minTime / scale) } : options);
    }
  }
  Bottleneck.Group = ScaledGroup;
  Bottleneck.prototype.Group = ScaledGroup;

  const addListener = Bottleneck.Events.prototype._addListener;
  Bottleneck.Events.prototype._addListener = function (name, status, cb) {
    if (name !== "failed" || typeof cb !== "function") return addListener.call(this, name, status, cb);
    const scaled = async (...args) => {
      const wait = await cb(...args);
      return typeof wait === "number" ? Math.ceil(wait / scale) : wait;
    };
    return addListener.call(this, name, status, scaled);
  };
}
