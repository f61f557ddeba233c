from mcaudit.cli import main

main()
