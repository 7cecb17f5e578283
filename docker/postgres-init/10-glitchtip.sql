-- GlitchTip (the optional `glitchtip` profile) keeps its data in its own database on the same server.
CREATE DATABASE glitchtip;
