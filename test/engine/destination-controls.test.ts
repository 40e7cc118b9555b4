import { DEFAULT_DESTINATION_CONTROL, defaultConfig, destinationControlFor } from '../../src/engine/config/model.js';

describe('destination controls', () => {
  it("a domain's own entry applies (any case), else the Default entry, else the Default values of a new home", () => {
    const controls = [
      { domain: 'Default', maxConnections: 20, maxMessagesPerConnection: 5 },
      { domain: 'Partner.Example', maxConnections: 2, maxMessagesPerConnection: 1 },
    ];
    expect(destinationControlFor(controls, 'partner.example')).toBe(controls[1]);
    expect(destinationControlFor(controls, 'other.example')).toBe(controls[0]);
    // a configuration edited by hand to hold no Default entry
    expect(destinationControlFor([controls[1]!], 'other.example')).toEqual({ domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 });
    expect(defaultConfig().destinationControls).toEqual([DEFAULT_DESTINATION_CONTROL]);
    // a new home's entry is its own, not the shared values
    expect(Object.isFrozen(defaultConfig().destinationControls[0])).toBe(false);
  });
});
