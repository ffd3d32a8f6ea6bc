"""The local demo: the register of Syria's coast in March 2025 (demo/coast_2025.json) and its loader.

Kept out of the app packages (`reports`, `incidents`): it is data, and its
loader may import both apps, which `reports` never does.
"""
