"""The application's commands, one module per process of the regulation.

Each module defines a mixin of :class:`service.app_base.LedgerApplicationBase`;
:class:`service.application.HallLedger` combines them.
"""
