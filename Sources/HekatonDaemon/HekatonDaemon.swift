// HekatonDaemon
