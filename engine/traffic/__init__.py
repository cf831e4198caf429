"""Traffic: the lights and signs of a town as actors (lights, signs, light_calls), and the Traffic Manager
hosted by the server (parameters, remote-TM listener and calls, autopilot driving)."""
