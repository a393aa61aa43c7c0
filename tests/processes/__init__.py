"""Scenario tests of the regulation's service processes (Article 2, ART7.2, ART7.6), one file per process."""
