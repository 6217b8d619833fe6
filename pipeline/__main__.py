from voiceblog.cli import main

main()
