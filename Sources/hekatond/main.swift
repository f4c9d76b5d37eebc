print("hekatond")
