print("hekatonctl")
