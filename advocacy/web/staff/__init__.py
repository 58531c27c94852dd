"""The signed-in staff interface: accounts, journey, check-ins, voice, library, imports, admin."""
